package mailin

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ticketd/ticketd/tickets"
)

// plan picks the next batch from uids, in order: the messages to download
// (wanted, at most MaxBatchBytes together but at least one) and the
// oversize ones (failed, never downloaded). n is how many of uids it
// accounted for, including those gone since the search; the others are
// left for the next batch.
func (p *Poller) plan(uids []imap.UID, sizes map[imap.UID]int64) (n int, wanted []imap.UID, failed []failure) {
	var total int64
	for _, uid := range uids {
		size, ok := sizes[uid]
		switch {
		case !ok:
			// Gone since the search (another client moved it).
		case size > p.opts.MaxMessageSize:
			failed = append(failed, failure{uid, size,
				fmt.Errorf("message size %d exceeds the limit of %d bytes", size, p.opts.MaxMessageSize)})
		case len(wanted) > 0 && total+size > p.opts.MaxBatchBytes:
			return n, wanted, failed
		default:
			wanted = append(wanted, uid)
			total += size
		}
		n++
	}
	return n, wanted, failed
}

// failure is a message that goes to the failed mailbox.
type failure struct {
	uid    imap.UID
	size   int64
	reason error
}

// fetched is one batch downloaded and parsed, its unreadable messages
// already set aside: msgs (by UID, uids) wait to be applied.
type fetched struct {
	st   Stats // Fetched, Failed and Left so far
	uids []imap.UID
	msgs []tickets.Inbound
}

// fetchBatch downloads and parses the next batch of uids (see plan) and
// sets aside the messages that are oversize or cannot be parsed: they do
// not depend on Apply. n is how many of uids it accounted for.
func (p *Poller) fetchBatch(c *imapclient.Client, uids []imap.UID, hasMove bool) (b *fetched, n int, err error) {
	// Sizes first, so that an oversize message is never downloaded
	// and a batch stays within MaxBatchBytes.
	next := uids[:min(p.opts.BatchSize, len(uids))]
	sizes, err := fetchSizes(c, next)
	if err != nil {
		return nil, 0, err
	}
	n, wanted, failed := p.plan(next, sizes)
	b = &fetched{}
	if len(wanted) > 0 {
		// Sized once: an Inbound is large, appending would copy the
		// batch's messages several times over.
		b.uids, b.msgs = make([]imap.UID, 0, len(wanted)), make([]tickets.Inbound, 0, len(wanted))
		parsed, err := p.fetchParsed(c, wanted)
		if err != nil {
			return nil, 0, err
		}
		for _, m := range parsed {
			switch {
			case errors.Is(m.err, errNoBody):
				// Not the message's fault: leave it in the mailbox.
				p.log.Warn("message left for the next pass", "mailbox", p.opts.Mailbox, "uid", uint32(m.uid), "err", m.err)
			case errors.Is(m.err, tickets.ErrStorage):
				// The disk failed, not the message: an operator must
				// act; the message waits in the mailbox.
				p.log.Error("attachment not stored; message left for the next pass", "mailbox", p.opts.Mailbox,
					"uid", uint32(m.uid), "err", m.err)
				b.st.Left++
			case m.err != nil:
				failed = append(failed, failure{m.uid, m.size, m.err})
			default:
				m.in.Mailbox = p.opts.Mailbox // routes mail naming no queue address (tickets/queue.go)
				b.uids = append(b.uids, m.uid)
				b.msgs = append(b.msgs, m.in)
			}
		}
	}
	b.st.Fetched = len(b.msgs) + len(failed) + b.st.Left
	if len(failed) > 0 {
		for _, f := range failed {
			p.log.Warn("unparseable message set aside", "mailbox", p.opts.Mailbox, "uid", uint32(f.uid),
				"size", f.size, "to", p.opts.FailedMailbox, "err", f.reason)
		}
		if err := p.setAside(c, uidSet(failedUIDs(failed)), p.opts.FailedMailbox, KeywordFailed, hasMove); err != nil {
			return b, n, err
		}
		b.st.Failed = len(failed)
	}
	return b, n, nil
}

// disposal is where the messages of one applied batch go once its
// transaction is committed: refused (by a *tickets.MessageError, never
// committed) to the failed mailbox, spam to the spam mailbox, the rest
// to the processed one. last tells the feeder (pipeline.go) that the pass
// stops after this batch.
type disposal struct {
	refused, spam, processed []imap.UID
	last                     bool
}

// apply applies one fetched batch in one Applier call. A message refused
// with a *tickets.MessageError is taken out and the others are applied
// again; it goes to the failed mailbox with the batch (disposal). It does
// no IMAP: the caller moves the batch once apply has returned, i.e. after
// the commit.
func (p *Poller) apply(ctx context.Context, b *fetched) (Stats, disposal, error) {
	var (
		st   Stats
		d    disposal
		uids = b.uids
		msgs = b.msgs
	)
	// Each MessageError takes one message out, so this ends.
	var results []tickets.Result
	for len(msgs) > 0 {
		if err := ctx.Err(); err != nil {
			return st, d, err
		}
		var err error
		results, err = p.applier.Apply(ctx, msgs)
		if err == nil {
			break
		}
		var merr *tickets.MessageError
		if !errors.As(err, &merr) || merr.Index < 0 || merr.Index >= len(msgs) {
			return st, d, fmt.Errorf("apply %d messages: %w", len(msgs), err)
		}
		// Nothing was committed and this one message is the cause: set
		// it aside so that it cannot stall the mailbox, then apply the
		// others again.
		i := merr.Index
		p.log.Warn("message refused by tickets set aside", "mailbox", p.opts.Mailbox, "uid", uint32(uids[i]),
			"msgid", msgs[i].MessageID, "to", p.opts.FailedMailbox, "err", err)
		d.refused = append(d.refused, uids[i])
		st.Failed++
		// Clip first: b's slices must not be shifted under the caller.
		uids = slices.Delete(slices.Clip(uids), i, i+1)
		msgs = slices.Delete(slices.Clip(msgs), i, i+1)
	}
	if len(msgs) == 0 {
		return st, d, nil
	}
	if len(results) != len(msgs) {
		// Committed, but we cannot tell which message got which result:
		// leave them; the next pass sees them as duplicates.
		return st, d, fmt.Errorf("apply %d messages: got %d results", len(msgs), len(results))
	}
	for i, r := range results {
		switch r.Outcome {
		case tickets.OutcomeCreated, tickets.OutcomeAppended:
			st.Applied++
		case tickets.OutcomeDuplicate:
			st.Duplicates++
		case tickets.OutcomeIgnored:
			st.Ignored++
		case tickets.OutcomeSpam:
			st.Spam++
			d.spam = append(d.spam, uids[i])
			p.log.Info("spam set aside", "mailbox", p.opts.Mailbox, "uid", uint32(uids[i]),
				"msgid", msgs[i].MessageID, "to", p.opts.spamMailbox(), "spam", string(r.Spam), "reason", r.Reason)
			continue
		}
		d.processed = append(d.processed, uids[i])
		p.log.Info("message applied", "mailbox", p.opts.Mailbox, "uid", uint32(uids[i]),
			"msgid", msgs[i].MessageID, "ticket", r.Ticket, "outcome", string(r.Outcome), "reason", r.Reason)
	}
	return st, d, nil
}

// dispose moves (or flags) the messages of a committed batch.
func (p *Poller) dispose(c *imapclient.Client, d disposal, hasMove bool) error {
	if err := p.setAside(c, uidSet(d.refused), p.opts.FailedMailbox, KeywordFailed, hasMove); err != nil {
		return err
	}
	if err := p.setAside(c, uidSet(d.spam), p.opts.spamMailbox(), KeywordProcessed, hasMove, imap.FlagJunk); err != nil {
		return err
	}
	return p.setAside(c, uidSet(d.processed), p.opts.ProcessedMailbox, KeywordProcessed, hasMove)
}

func failedUIDs(fs []failure) []imap.UID {
	uids := make([]imap.UID, len(fs))
	for i, f := range fs {
		uids[i] = f.uid
	}
	return uids
}
