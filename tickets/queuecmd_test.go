package tickets

import (
	"strings"
	"testing"

	"github.com/ticketd/ticketd/templates"
)

func TestQueueCommandMovesTheTicket(t *testing.T) {
	f := newQueuesFixture(t, nil)
	id := f.apply(msg("r1@client", "pedro@client.com", "Presupuesto", "Quiero comprar 10 licencias."))[0].Ticket
	notice := mailsOf(f, id, templates.AgentNew)[0]
	ack := mailsOf(f, id, templates.Ack)[0]
	f.drain()
	cmd := msg("ana1@example", "ana@example.com", "Re: "+notice.Subject, "#cola Ventas")
	cmd.InReplyTo = []string{notice.MessageID}
	f.apply(cmd)

	tk := f.ticket(id)
	if tk.Queue != "ventas" || tk.Tier != 1 || tk.Assignee != "" {
		t.Fatalf("queue %q tier %d assignee %q", tk.Queue, tk.Tier, tk.Assignee)
	}
	if tk.SLA.FirstResponse.Target != f.svc.queues.byName["ventas"].Policy.Tiers()[0].FirstResponse {
		t.Errorf("SLA target %s: want the new queue's tier 1", tk.SLA.FirstResponse.Target)
	}
	moved := mailsOf(f, id, templates.QueueMoved)
	if len(moved) != 1 {
		t.Fatalf("%d queue_moved mails", len(moved))
	}
	m := moved[0]
	if strings.Join(m.Recipients(), ",") != "vera@ventas.example" || m.From.Email != "ventas@ventas.example" ||
		!strings.HasPrefix(m.Subject, "[Ventas #1] Moved to Ventas ACME") || !strings.Contains(m.Text, "Quiero comprar 10 licencias.") ||
		!strings.Contains(m.Text, "from Mesa de ayuda") {
		t.Fatalf("queue_moved to %v from %s: %q\n%s", m.Recipients(), m.From.Email, m.Subject, m.Text)
	}
	if m.InReplyTo != "" || tk.AgentThreadID != m.MessageID {
		t.Errorf("the new queue's agents get a thread of their own: in-reply-to %q, thread %q", m.InReplyTo, tk.AgentThreadID)
	}
	told := mailsOf(f, id, templates.QueueMovedRequester)
	if len(told) != 1 {
		t.Fatalf("requester told %d times", len(told))
	}
	r := told[0]
	if strings.Join(r.Recipients(), ",") != "pedro@client.com" || r.From.Email != "ventas@ventas.example" ||
		r.Subject != "Re: [Ventas #1] Presupuesto" || r.InReplyTo != "r1@client" || strings.Contains(r.Text, "ana@") {
		t.Fatalf("requester notice to %v from %s: %q in reply to %q\n%s", r.Recipients(), r.From.Email, r.Subject, r.InReplyTo, r.Text)
	}
	_ = ack
	f.drain()

	// The requester answers the old mail (old tag): it lands on the
	// ticket and goes to the new queue's agents only.
	up := msg("r2@client", "pedro@client.com", "Re: [Soporte #1] Recibimos su solicitud: Presupuesto", "Son 10.")
	if res := f.apply(up)[0]; res.Outcome != OutcomeAppended || res.Ticket != id {
		t.Fatalf("%+v", res)
	}
	upd := mailsOf(f, id, templates.AgentUpdate)
	if len(upd) != 1 || strings.Join(upd[0].Recipients(), ",") != "vera@ventas.example" || upd[0].InReplyTo != tk.AgentThreadID {
		t.Fatalf("update %+v", upd)
	}
	// ana is no agent of the ticket any more.
	f.apply(msg("ana2@example", "ana@example.com", "Re: [Ventas #1] Presupuesto", "#resolve"))
	if f.ticket(id).Status == StatusResolved {
		t.Fatal("an agent of the old queue resolved the moved ticket")
	}
}

func TestQueueCommandErrorsApplyNothing(t *testing.T) {
	f := newQueuesFixture(t, nil)
	id := f.apply(msg("r1@client", "pedro@client.com", "Impresora", "No imprime."))[0].Ticket
	f.drain()
	for _, tc := range []struct{ text, want string }{
		{"#resolve\n#cola nadie", "necesita el nombre de una cola: soporte, ventas"},
		{"#queue soporte\n#resolve", "el ticket ya está en la cola soporte"},
		{"#queue\n#resolve", "necesita el nombre de una cola"},
	} {
		f.apply(msg("ana-"+tc.text, "ana@example.com", "Re: [Soporte #1] Impresora", tc.text))
		tk := f.ticket(id)
		if tk.Queue != "" || tk.Status != StatusNew {
			t.Fatalf("%q: queue %q status %s: something was applied", tc.text, tk.Queue, tk.Status)
		}
		errs := mailsOf(f, id, templates.CommandError)
		if len(errs) != 1 || !strings.Contains(errs[0].Text, tc.want) {
			t.Fatalf("%q: command errors %d, want one saying %q", tc.text, len(errs), tc.want)
		}
		if n := len(mailsOf(f, id, templates.QueueMovedRequester)); n != 0 {
			t.Fatalf("%q: requester told of a move", tc.text)
		}
		f.drain()
	}
	// A requester's "#queue" is just text.
	f.apply(msg("r2@client", "pedro@client.com", "Re: [Soporte #1] Impresora", "#queue ventas\nPor favor"))
	if tk := f.ticket(id); tk.Queue != "" {
		t.Fatalf("a requester moved the ticket to %q", tk.Queue)
	}
}
