package mailin

import (
	"context"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/ticketd/ticketd/tickets"
)

// spamApplier answers OutcomeSpam for the mail mailparse marked as spam,
// as tickets.Service does, and Created for the rest.
type spamApplier struct{ fakeApplier }

func (a *spamApplier) Apply(ctx context.Context, msgs []tickets.Inbound) ([]tickets.Result, error) {
	res, err := a.fakeApplier.Apply(ctx, msgs)
	for i, m := range msgs {
		if err == nil && m.Spam != "" {
			res[i] = tickets.Result{Outcome: tickets.OutcomeSpam, Spam: m.Spam}
		}
	}
	return res, err
}

func spamMail() string {
	return strings.Replace(testMail(9), "Subject:", "X-Spam-Flag: YES\r\nSubject:", 1)
}

// TestPollMovesSpamToItsMailbox: spam leaves the inbox for the spam
// mailbox (created if missing), only after Apply returned; other mail for
// the processed mailbox.
func TestPollMovesSpamToItsMailbox(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliver(t, testMail(1))
	srv.deliver(t, spamMail())
	opts := testOptions(srv.addr)
	opts.SpamMailbox = "Correo no deseado"
	app := &spamApplier{}
	p := NewPoller(opts, app, testLogger(t))
	st, err := p.Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: 2, Applied: 1, Spam: 1}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	for mailbox, want := range map[string]int{"INBOX": 0, testProcessed: 1, "Correo no deseado": 1, testFailed: 0} {
		if n := srv.count(t, mailbox); n != want {
			t.Errorf("%s has %d messages, want %d", mailbox, n, want)
		}
	}
}

// TestPollSpamWithoutMove: without MOVE spam is marked processed (so it is
// not fetched again) and $Junk; nothing is deleted.
func TestPollSpamWithoutMove(t *testing.T) {
	srv := startServer(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	srv.deliver(t, testMail(1))
	srv.deliver(t, spamMail())
	app := &spamApplier{}
	p := NewPoller(testOptions(srv.addr), app, testLogger(t))
	if _, err := p.Poll(testContext(t)); err != nil {
		t.Fatal(err)
	}
	flags := srv.flags(t, "INBOX")
	if len(flags) != 2 || hasFlag(flags[0], imap.FlagJunk) || !hasFlag(flags[1], imap.FlagJunk) || !hasFlag(flags[1], KeywordProcessed) {
		t.Fatalf("flags %v, want the second (spam) $Junk and processed", flags)
	}
	srv.deliver(t, testMail(3))
	secondPassTakes(t, p, &app.fakeApplier, "Mensaje 3")
}
