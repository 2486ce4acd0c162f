package loadtest

import (
	"strings"
	"testing"

	"github.com/ticketd/ticketd/mailin/mailparse"
)

// TestCorpusParses: every generated message parses, in Spanish, threaded
// where it should be.
func TestCorpusParses(t *testing.T) {
	raws, mix := Corpus(300, 1)
	if mix.New+mix.Replies+mix.AgentReplies != 300 || mix.WithAttachment == 0 || mix.Replies == 0 || mix.AgentReplies == 0 {
		t.Fatalf("mix %+v", mix)
	}
	threaded := 0
	for i, raw := range raws {
		in, err := mailparse.Parse(raw)
		if err != nil {
			t.Fatalf("message %d: %v\n%s", i, err, raw)
		}
		if in.Text == "" || in.Subject == "" || in.From.Email == "" {
			t.Fatalf("message %d parsed to %+v", i, in)
		}
		if len(in.InReplyTo) > 0 {
			threaded++
		}
		if strings.HasPrefix(in.MessageID, "n") && !strings.ContainsAny(in.Text+in.Subject, "áéíóúñÁÉÍÓÚÑ¿¡«") {
			t.Fatalf("message %d: no Spanish in %q", i, in.Text)
		}
	}
	if threaded != mix.Replies+mix.AgentReplies {
		t.Fatalf("%d threaded, want %d", threaded, mix.Replies+mix.AgentReplies)
	}
}
