package mailparse

import (
	"strings"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// Auto-replies that carry no header marking them, as responders that
// ignore RFC 3834 send them, next to real requests that use the same words.
var autoReplyTexts = []struct {
	name string
	text string
	auto bool
}{
	{"en outlook", "I am currently out of the office until March 16 with limited access to email. For urgent matters please contact John Smith at +1 555 0100.", true},
	{"en short", "I'm out of office. I will respond to your message when I return.", true},
	{"en vacation", "Thank you for your email. I am on annual leave until 3 April and will reply on my return.", true},
	{"en statement", "This is an automatic reply. Your message has been received.", true},
	{"es exchange", "Estoy fuera de la oficina hasta el 16 de marzo, con acceso limitado al correo.", true},
	{"es vacaciones", "Gracias por su mensaje. Me encuentro de vacaciones; responderé a mi regreso el lunes 9.\nPara asuntos urgentes comuníquese con la mesa de ayuda, ext. 1234.", true},
	{"es statement", "Esta es una respuesta automática. Su correo fue recibido.", true},
	{"es ausente", "Estaré ausente del 1 al 15 de agosto. En caso de urgencia contacte a Marta Gómez (marta@corp.test).", true},
	{"fr", "Bonjour, je suis absente jusqu'au 12 mai. Je répondrai à votre message à mon retour.", true},
	{"de", "Vielen Dank für Ihre Nachricht. Ich bin bis zum 12.05. nicht im Büro. In dringenden Fällen wenden Sie sich an Frau Weber.", true},
	{"pt", "Estou fora do escritório até segunda-feira. Responderei ao meu retorno.", true},
	{"it", "Sono fuori ufficio fino al 3 giugno; risponderò al mio rientro.", true},

	{"past tense en", "I was out of office yesterday and my printer does not print anymore. I will be back in the office tomorrow, can you check it?", false},
	{"requester away with a problem", "I'm out of the office until Monday and the VPN does not connect, please help.", false},
	{"requester on vacation, contact me", "I will be on vacation next week; please contact me before Friday to install the software.", false},
	{"past tense es", "Estuve fuera de la oficina la semana pasada y ahora no puedo entrar al correo.", false},
	{"es requester away", "Estoy fuera de la oficina y no me conecta la VPN. Es urgente.", false},
	{"es asks about autoreply", "No me funciona la respuesta automática de Outlook, ¿cómo la activo?", false},
	{"en asks about autoreply", "How do I set an automatic reply (auto-reply) for my vacation? I am on vacation from Monday.", false},
	{"statement deep in a long mail", strings.Repeat("The printer on floor 3 shows error 50.2 again. ", 15) + "This is an automatic reply.", false},
	{"empty", "", false},
}

func TestAutoReplyText(t *testing.T) {
	for _, tt := range autoReplyTexts {
		if got := autoReplyText(tt.text); got != tt.auto {
			t.Errorf("%s: autoReplyText = %v, want %v\n%s", tt.name, got, tt.auto, tt.text)
		}
	}
}

// TestParseAutoReplyByText parses whole mails without any header of
// automatic mail: the text alone decides, and a requester's mail that
// talks of being away stays normal.
func TestParseAutoReplyByText(t *testing.T) {
	for _, tt := range autoReplyTexts {
		if tt.text == "" {
			continue
		}
		raw := "From: Someone <someone@corp.test>\r\nTo: soporte@example.com\r\nSubject: Re: [Soporte #3] Impresora\r\n" +
			"Message-ID: <x@corp.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			strings.ReplaceAll(tt.text, "\n", "\r\n") + "\r\n\r\nEl lun, 2 mar 2026 a las 9:00, Mesa de ayuda escribió:\r\n> Su caso fue recibido.\r\n"
		in, err := Parse([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		want := tickets.KindNormal
		if tt.auto {
			want = tickets.KindAutoReply
		}
		if in.Kind != want || in.AutoSubmitted != tt.auto {
			t.Errorf("%s: Kind %q AutoSubmitted %v, want %q", tt.name, in.Kind, in.AutoSubmitted, want)
		}
	}
}

func FuzzAutoReplyText(f *testing.F) {
	for _, tt := range autoReplyTexts {
		f.Add(tt.text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		autoReplyText(s) // must not panic, whatever the bytes
	})
}
