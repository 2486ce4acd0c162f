package mailin

import (
	"fmt"
	"io"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// searchUIDs returns the UIDs of a search result in ascending order. A
// dynamic set ("*") would be a server bug and yields nothing rather than
// the panic of SearchData.AllUIDs.
func searchUIDs(data *imap.SearchData) []imap.UID {
	set, ok := data.All.(imap.UIDSet)
	if !ok {
		return nil
	}
	uids, ok := set.Nums()
	if !ok {
		return nil
	}
	uids = slices.DeleteFunc(uids, func(u imap.UID) bool { return u == 0 })
	slices.Sort(uids)
	return slices.Compact(uids)
}

func uidSet(uids []imap.UID) imap.UIDSet {
	var set imap.UIDSet
	set.AddNum(uids...)
	return set
}

// fetchSizes returns RFC822.SIZE by UID.
func fetchSizes(c *imapclient.Client, uids []imap.UID) (map[imap.UID]int64, error) {
	cmd := c.Fetch(uidSet(uids), &imap.FetchOptions{UID: true, RFC822Size: true})
	bufs, err := cmd.Collect() // small items only; Collect closes cmd
	if err != nil {
		return nil, fmt.Errorf("fetch sizes: %w", err)
	}
	sizes := make(map[imap.UID]int64, len(bufs))
	for _, b := range bufs {
		if b.UID != 0 {
			sizes[b.UID] = b.RFC822Size
		}
	}
	return sizes, nil
}

// fetchBodies streams UID, RFC822.SIZE and BODY.PEEK[] for uids, calling
// fn once per message with its raw bytes or the reason it has none. The
// fetch is always read to the end (or closed), or the connection stalls.
func (p *Poller) fetchBodies(c *imapclient.Client, uids []imap.UID, fn func(uid imap.UID, size int64, raw []byte, err error)) error {
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(uidSet(uids), &imap.FetchOptions{
		UID:         true,
		RFC822Size:  true,
		BodySection: []*imap.FetchItemBodySection{section},
	})
	defer cmd.Close()
	limit := p.opts.MaxMessageSize
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var (
			uid     imap.UID
			size    int64
			raw     []byte
			gotBody bool
			tooBig  error
		)
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = item.UID
			case imapclient.FetchItemDataRFC822Size:
				size = item.Size
			case imapclient.FetchItemDataBodySection:
				if item.Literal == nil {
					break // NIL: the server has no content to give now
				}
				gotBody = true
				n := item.Literal.Size()
				if n > limit {
					// Grew since the size fetch? Not read: msg.Next
					// discards the rest.
					tooBig = fmt.Errorf("message size %d exceeds the limit of %d bytes", n, limit)
					break
				}
				var err error
				raw, err = readLiteral(io.LimitReader(item.Literal, limit+1), n)
				if err != nil {
					// Reading a literal fails only when the connection
					// does; that is never the message's fault.
					return fmt.Errorf("fetch messages: %w", err)
				}
				if int64(len(raw)) > limit {
					tooBig = fmt.Errorf("message exceeds the limit of %d bytes", limit)
					raw = nil
				}
			}
		}
		if uid == 0 {
			continue // not one of ours (unsolicited FETCH)
		}
		if size == 0 {
			size = int64(len(raw))
		}
		switch {
		case tooBig != nil:
			fn(uid, size, nil, tooBig)
		case !gotBody:
			fn(uid, size, nil, errNoBody)
		default:
			fn(uid, size, raw, nil)
		}
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("fetch messages: %w", err)
	}
	return nil
}

// setAside moves the messages to mailbox, or, without MOVE, marks them
// \Seen, keyword and the extra flags (spam: $Junk, which a server that
// does not keep it keeps for the session only: keyword is what later
// searches skip). Mail is never deleted or expunged here.
func (p *Poller) setAside(c *imapclient.Client, set imap.UIDSet, mailbox string, keyword imap.Flag, hasMove bool, extra ...imap.Flag) error {
	if len(set) == 0 {
		return nil
	}
	if hasMove {
		// Only ever called with MOVE advertised: imapclient's Move
		// otherwise falls back to COPY + \Deleted + EXPUNGE.
		if _, err := c.Move(set, mailbox).Wait(); err != nil {
			return fmt.Errorf("move %s to %q: %w", set, mailbox, err)
		}
		return nil
	}
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: append([]imap.Flag{imap.FlagSeen, keyword}, extra...)}
	if err := c.Store(set, store, nil).Close(); err != nil {
		return fmt.Errorf("flag %s %s: %w", set, keyword, err)
	}
	return nil
}

// readLiteral reads r to its end into a buffer sized for the literal's
// announced size (plus the byte that meets the end): one allocation of
// the message's size where io.ReadAll, growing from 512 bytes by
// doubling, allocated ~2.4 times it — 10 MB of garbage in a 3,000-message
// pass. A literal longer than announced still reads whole.
func readLiteral(r io.Reader, size int64) ([]byte, error) {
	buf := make([]byte, 0, size+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
