package mailin

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ticketd/ticketd/mailin/mailparse"
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

// batch downloads, parses, applies and moves one batch of messages:
// wanted are downloaded; failed (oversize) go to the failed mailbox with
// those that cannot be parsed.
func (p *Poller) batch(ctx context.Context, c *imapclient.Client, wanted []imap.UID, failed []failure, hasMove bool) (Stats, error) {
	var st Stats
	var (
		okUIDs []imap.UID
		msgs   []tickets.Inbound
	)
	if len(wanted) > 0 {
		err := p.fetchBodies(c, wanted, func(uid imap.UID, size int64, raw []byte, ferr error) {
			if errors.Is(ferr, errNoBody) {
				// Not the message's fault: leave it in the mailbox.
				p.log.Warn("message left for the next pass", "mailbox", p.opts.Mailbox, "uid", uint32(uid), "err", ferr)
				return
			}
			if ferr == nil {
				var in tickets.Inbound
				if in, ferr = mailparse.ParseWithOptions(raw, mailparse.Options{TrustedAuthservID: p.opts.TrustedAuthservID, DeskAddress: p.opts.DeskAddress,
					QueueAddresses: p.opts.QueueAddresses, Attachments: p.opts.Attachments, MaxAttachmentSize: p.opts.MaxAttachmentSize, Spam: p.opts.Spam}); ferr == nil {
					in.Mailbox = p.opts.Mailbox // routes mail naming no queue address (tickets/queue.go)
					okUIDs = append(okUIDs, uid)
					msgs = append(msgs, in)
					return
				}
				if errors.Is(ferr, tickets.ErrStorage) {
					// The disk failed, not the message: an operator
					// must act; the message waits in the mailbox.
					p.log.Error("attachment not stored; message left for the next pass", "mailbox", p.opts.Mailbox,
						"uid", uint32(uid), "err", ferr)
					st.Left++
					return
				}
			}
			failed = append(failed, failure{uid, size, ferr})
		})
		if err != nil {
			return st, err
		}
	}
	st.Fetched = len(msgs) + len(failed) + st.Left

	// Unparseable mail is set aside first: it does not depend on Apply.
	if len(failed) > 0 {
		for _, f := range failed {
			p.log.Warn("unparseable message set aside", "mailbox", p.opts.Mailbox, "uid", uint32(f.uid),
				"size", f.size, "to", p.opts.FailedMailbox, "err", f.reason)
		}
		set := uidSet(failedUIDs(failed))
		if err := p.setAside(c, set, p.opts.FailedMailbox, KeywordFailed, hasMove); err != nil {
			return st, err
		}
		st.Failed = len(failed)
	}

	// Each MessageError takes one message out, so this ends.
	var results []tickets.Result
	for len(msgs) > 0 {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		var err error
		results, err = p.applier.Apply(ctx, msgs)
		if err == nil {
			break
		}
		var merr *tickets.MessageError
		if !errors.As(err, &merr) || merr.Index < 0 || merr.Index >= len(msgs) {
			return st, fmt.Errorf("apply %d messages: %w", len(msgs), err)
		}
		// Nothing was committed and this one message is the cause: set
		// it aside so that it cannot stall the mailbox, then apply the
		// others again.
		i := merr.Index
		p.log.Warn("message refused by tickets set aside", "mailbox", p.opts.Mailbox, "uid", uint32(okUIDs[i]),
			"msgid", msgs[i].MessageID, "to", p.opts.FailedMailbox, "err", err)
		if err := p.setAside(c, uidSet(okUIDs[i:i+1]), p.opts.FailedMailbox, KeywordFailed, hasMove); err != nil {
			return st, err
		}
		st.Failed++
		okUIDs = slices.Delete(okUIDs, i, i+1)
		msgs = slices.Delete(msgs, i, i+1)
	}
	if len(msgs) == 0 {
		return st, nil
	}
	if len(results) != len(msgs) {
		// Committed, but we cannot tell which message got which result:
		// leave them; the next pass sees them as duplicates.
		return st, fmt.Errorf("apply %d messages: got %d results", len(msgs), len(results))
	}
	var processed, spam []imap.UID
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
			spam = append(spam, okUIDs[i])
			p.log.Info("spam set aside", "mailbox", p.opts.Mailbox, "uid", uint32(okUIDs[i]),
				"msgid", msgs[i].MessageID, "to", p.opts.spamMailbox(), "spam", string(r.Spam), "reason", r.Reason)
			continue
		}
		processed = append(processed, okUIDs[i])
		p.log.Info("message applied", "mailbox", p.opts.Mailbox, "uid", uint32(okUIDs[i]),
			"msgid", msgs[i].MessageID, "ticket", r.Ticket, "outcome", string(r.Outcome), "reason", r.Reason)
	}
	// Committed: now the messages leave the inbox.
	if err := p.setAside(c, uidSet(spam), p.opts.spamMailbox(), KeywordProcessed, hasMove, imap.FlagJunk); err != nil {
		return st, err
	}
	if err := p.setAside(c, uidSet(processed), p.opts.ProcessedMailbox, KeywordProcessed, hasMove); err != nil {
		return st, err
	}
	return st, nil
}

func failedUIDs(fs []failure) []imap.UID {
	uids := make([]imap.UID, len(fs))
	for i, f := range fs {
		uids[i] = f.uid
	}
	return uids
}
