package tickets

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestHugeSubjectIsCut: a 900 KB subject is cut to Limits.SubjectRunes
// when the ticket takes it (the hit is counted); no mail the ticket causes
// — acknowledgement, agent notice, relayed answer — carries more of it.
func TestHugeSubjectIsCut(t *testing.T) {
	const limit = 250
	f, hits := floodDesk(t, Limits{SubjectRunes: limit, Window: time.Hour})
	huge := strings.Repeat("impresora ñ ", 900_000/len("impresora ñ "))
	f.apply(msg("big@c", "pedro@client.com", huge, "No imprime."))
	tk := f.ticket(1)
	if n := utf8.RuneCountInString(tk.Subject); n > limit || !strings.HasPrefix(tk.Subject, "impresora ñ impresora") {
		t.Fatalf("ticket subject: %d runes %q", n, tk.Subject[:min(len(tk.Subject), 80)])
	}
	if hits[LimitSubject] != 1 {
		t.Errorf("subject limit hits = %d, want 1", hits[LimitSubject])
	}
	mails := f.drain()
	f.apply(msg("ans@c", "ana@example.com", "Re: [Soporte #1] "+huge, "Reinicie la cola de impresión."))
	mails = append(mails, f.drain()...)
	if len(mails) < 3 {
		t.Fatalf("only %d mails: want the acknowledgement, the agents' notice and the answer", len(mails))
	}
	for _, m := range mails {
		// The template's words and the [Soporte #1] token come on top of
		// the ticket's subject.
		rest := strings.Replace(m.Subject, tk.Subject, "", 1)
		if rest == m.Subject || utf8.RuneCountInString(rest) > 40 {
			t.Errorf("%s mail subject: %d runes, %q", m.Kind, utf8.RuneCountInString(m.Subject), m.Subject[:min(len(m.Subject), 120)])
		}
	}
}
