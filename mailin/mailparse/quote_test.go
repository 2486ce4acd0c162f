package mailparse

import (
	"strings"
	"testing"
)

func TestVisibleText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"gmail es", "Ya funciona, gracias.\n\nEl lun, 2 mar 2026 a las 9:00, Mesa de ayuda (<soporte@example.com>) escribió:\n> Hola\n> texto", "Ya funciona, gracias."},
		{"gmail en", "Works now.\n\nOn Mon, Mar 2, 2026 at 9:00 AM Help desk <soporte@example.com> wrote:\n> hi", "Works now."},
		{"outlook es", "Listo.\n\n________________________________\nDe: Mesa de ayuda <soporte@example.com>\nEnviado: lunes\nPara: ana@example.com; luis@example.com\nAsunto: x", "Listo."},
		{"outlook en block without rule", "Done.\n\nFrom: Help desk <soporte@example.com>\nSent: Monday\nTo: ana@example.com", "Done."},
		{"original message", "Ok.\n-----Mensaje original-----\nDe: x", "Ok."},
		{"reply line", "Respuesta arriba.\n\n## Responda por encima de esta línea ##\nTicket nuevo...", "Respuesta arriba."},
		{"quoted reply line", "Answer.\n> ## Please reply above this line ##\n> old", "Answer."},
		{"signature and phone", "Gracias\n-- \nAna\nTel 123", "Gracias"},
		{"iphone", "Sí, ya está.\n\nEnviado desde mi iPhone", "Sí, ya está."},
		// Nothing new above the quote: the text below it is the answer.
		{"bottom quote", "> old text\n> more\n\nMy answer below the quote.\n", "My answer below the quote."},
		{"s-nail tab quote below attribution", "\"Soporte, Mesa\" <soporte@example.com> wrote:\n\n\t## Responda por encima de esta línea ##\n\n\tHola\n\t--\n\tMesa\n\tref:ticketd.1.2.aaaaaaaaaaaa.bbbbbbbbbbbbbbbb@example.com\nSigue igual.\n\nAna", "Sigue igual.\n\nAna"},
		{"mailx tab quote without attribution", "\t## Please reply above this line ##\n\tHi\n\t--\n\tref:ticketd.1.2.a.b@example.com\nStill broken.", "Still broken."},
		{"bare attribution is never the answer", "Mesa de ayuda <soporte@example.com> wrote:\n\n> hola\n", ""},
		{"interleaved", "On Mon, 2 Mar 2026, Help desk <soporte@example.com> wrote:\n> ## Please reply above this line ##\n> Which model is it?\nAn HP 4250.\n> Is it on the network?\nYes, cable.\n> -- \n> Help desk\n", "> Which model is it?\nAn HP 4250.\n\n> Is it on the network?\nYes, cable."},
		{"mobile footer words starting a sentence stay", "Sent from my laptop the upload fails, error 5.", "Sent from my laptop the upload fails, error 5."},
		{"trailing quote", "Answer on top.\n\n> old text\n> more\n", "Answer on top."},
		{"a line starting with From: in prose stays", "From: the logs I see an error.\nIt fails daily.", "From: the logs I see an error.\nIt fails daily."},
		{"bottom-posted after an attribution", "El lun, 2 mar 2026, Mesa de ayuda escribió:\n> ## Responda por encima de esta línea ##\n> Nuevo ticket 1\n\nYa lo revisé, reinicie el equipo.\n-- \nAna", "Ya lo revisé, reinicie el equipo."},
		{"bottom-posted, nothing after the quote", "On Mon, Help desk wrote:\n> old\n> text\n", ""},
		{"only quote: nothing visible", "> only quoted\n> text", ""},
		{"only attribution and quote", "On Mon, Mar 2, 2026 at 9:00 AM Help desk wrote:\n> hi", ""},
		{"only signature", "-- \nAna", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		if got := VisibleText(c.in); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// Commands are read from the visible text only: a "#resolve" in the quoted
// mail an agent answers (a colleague's earlier command, say) must not run.
func TestQuotedCommandsAreCut(t *testing.T) {
	cases := []string{
		"Gracias, lo reviso.\n\nEl lun, 2 mar 2026 a las 9:00, Mesa de ayuda <soporte@example.com> escribió:\n> #resolver\n> Listo.\n",
		"Gracias, lo reviso.\n\n> #resolve\n> done\n",
		"Gracias, lo reviso.\n\n-----Mensaje original-----\nDe: Ana\n#cerrar\n",
		"Thanks, checking.\n\nOn Mon, Mar 2, 2026 at 9:00 AM Help desk <soporte@example.com> wrote:\n> #close\n",
	}
	for _, c := range cases {
		if got := VisibleText(c); strings.Contains(got, "#") {
			t.Errorf("visible text of %q keeps a quoted command: %q", c, got)
		}
	}
}
