package templates

import "testing"

// BenchmarkRender renders the acknowledgement and the agents' notice of
// a new ticket in Spanish, text and HTML.
func BenchmarkRender(b *testing.B) {
	s, err := New("")
	if err != nil {
		b.Fatal(err)
	}
	data := Data{Desk: "Mesa de ayuda", Token: "[Soporte #1042]", Ticket: 1042, Subject: "No puedo imprimir en la oficina 3",
		Requester: "José Pérez", RequesterEmail: "jose@cliente.test", Author: "José Pérez <jose@cliente.test>",
		Text:   "Buenos días:\n\nDesde esta mañana no consigo imprimir. Ya reinicié el equipo dos veces.\n\nGracias,\nJosé",
		Status: "new", Tier: 1, TierName: "Nivel 1 - Mesa de ayuda"}
	for _, name := range []Name{Ack, AgentNew} {
		b.Run(string(name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Render("es", name, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNew is what ticketd run, once and digest pay for the templates
// before they start: the stop words and, in the first iteration only (they
// are shared by the process's sets), the phrases of every language; the
// templates themselves are parsed on first render.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(""); err != nil {
			b.Fatal(err)
		}
	}
}
