// Package loadtest generates a realistic help-desk mail corpus and holds
// ticketd's end-to-end load test (load_test.go): a real Dovecot INBOX
// filled with N messages, ingested and answered by the real binary, with
// the limits of this machine measured in the same run.
//
// The corpus is deterministic for a seed: new tickets from many
// requesters, their follow-ups and agents' answers threaded by
// In-Reply-To, Spanish text with accents in plain, quoted-printable and
// HTML alternatives, and some PDF attachments.
package loadtest

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Desk and agent addresses the corpus writes to and from.
const (
	Desk   = "soporte@ticketd.test"
	AgentA = "ana@ticketd.test"
	AgentB = "luis@ticketd.test"
)

// Mix counts what a corpus holds.
type Mix struct {
	New, Replies, AgentReplies, WithAttachment int
	Bytes                                      int64
}

var (
	nombres = []string{"Pedro Pérez", "María José Gómez", "Íñigo Martínez", "Lucía Fernández", "José Ángel Ruiz",
		"Sofía Núñez", "Andrés Castaño", "Valentina Peña", "Camilo Rodríguez", "Mónica Suárez"}
	asuntos = []string{"No puedo imprimir en la oficina 3", "El correo no sincroniza en el teléfono",
		"Solicitud de acceso a la carpeta compartida de Contabilidad", "La VPN se desconecta cada cinco minutos",
		"Error al abrir el informe trimestral", "Cambio de contraseña del portal de nómina",
		"Pantalla azul después de la actualización", "No llega la factura electrónica", "Instalación de software para diseño",
		"El proyector de la sala de reuniones no enciende"}
	cuerpos = []string{
		"Buenos días:\n\nDesde esta mañana no consigo %s. Ya reinicié el equipo dos veces y sigue igual. El mensaje de error dice «acceso denegado» y no sé qué más probar.\n\nEs bastante urgente porque mañana tenemos la auditoría con el cliente y necesito tener todo listo antes de las 10:00.\n\nMuchas gracias de antemano,\n%s\nÁrea de Contabilidad — extensión 2041",
		"Hola, equipo de soporte:\n\nLes escribo porque %s. Probé desde otro navegador y desde el portátil de un compañero, con el mismo resultado. Adjunto lo que aparece en pantalla si hace falta.\n\n¿Podrían revisarlo cuando tengan un momento? Estoy disponible toda la tarde.\n\nSaludos cordiales,\n%s",
	}
	problemas = []string{"imprimir los documentos de facturación", "sincronizar el calendario", "entrar a la carpeta compartida",
		"mantener la conexión de la VPN", "abrir el informe en Excel", "cambiar la contraseña", "arrancar Windows sin errores",
		"recibir las facturas del proveedor", "instalar el programa de diseño", "encender el proyector"}
	respuestas = []string{"Gracias por la respuesta. Lo probé de nuevo y ahora el error es distinto: «tiempo de espera agotado». ¿Qué otra información necesitan?",
		"Sigue sin funcionar después de reiniciar. Mañana a primera hora estaré en la oficina por si pueden pasar.",
		"¡Ya funciona! Muchas gracias por la ayuda tan rápida."}
	agentes = []string{"Hola, ya revisamos tu cuenta: faltaba un permiso en el grupo de seguridad. Prueba de nuevo, por favor, y nos cuentas.",
		"Buenos días. Reinicié el servicio desde el servidor; debería funcionar en unos minutos. Si no, respóndenos a este correo.",
		"Te agendamos una visita para mañana a las 9:00 en tu puesto. Lleva el cargador del portátil, por favor."}
)

// Corpus returns n raw messages (CRLF line endings) in delivery order
// and what they hold. A message that answers another always comes after
// it.
func Corpus(n int, seed uint64) ([][]byte, Mix) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	base := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	type opened struct{ msgID, subject, name, email string }
	var tickets []opened
	raws := make([][]byte, 0, n)
	var mix Mix
	attachment := pdfAttachment(r, 24<<10)
	for i := range n {
		date := base.Add(time.Duration(i) * 7 * time.Second).Format(time.RFC1123Z)
		var b strings.Builder
		kind := r.IntN(100)
		switch {
		case len(tickets) < 10 || kind < 50:
			k := r.IntN(len(asuntos))
			name := nombres[r.IntN(len(nombres))]
			email := fmt.Sprintf("usuario%d@cliente%d.test", r.IntN(2000), r.IntN(20))
			o := opened{msgID: fmt.Sprintf("n%d.%x@cliente.test", i, r.Uint32()), subject: asuntos[k], name: name, email: email}
			tickets = append(tickets, o)
			body := fmt.Sprintf(cuerpos[r.IntN(len(cuerpos))], problemas[k], name)
			header(&b, name, email, Desk, o.subject, o.msgID, date, "")
			withAtt := r.IntN(100) < 8
			if withAtt {
				mix.WithAttachment++
				mixed(&b, body, attachment, i)
			} else if r.IntN(100) < 35 {
				alternative(&b, body)
			} else {
				qp(&b, body)
			}
			mix.New++
		case kind < 80:
			o := tickets[r.IntN(len(tickets))]
			header(&b, o.name, o.email, Desk, "Re: "+o.subject, fmt.Sprintf("r%d.%x@cliente.test", i, r.Uint32()), date, o.msgID)
			plain(&b, respuestas[r.IntN(len(respuestas))]+"\n\nEl lun, 2 mar 2026 a las 9:14, Mesa de ayuda escribió:\n> Hemos recibido su solicitud.\n> Un agente le responderá pronto.\n")
			mix.Replies++
		default:
			o := tickets[r.IntN(len(tickets))]
			agent := AgentA
			if r.IntN(2) == 0 {
				agent = AgentB
			}
			header(&b, "Agente", agent, Desk, "Re: "+o.subject, fmt.Sprintf("a%d.%x@ticketd.test", i, r.Uint32()), date, o.msgID)
			plain(&b, agentes[r.IntN(len(agentes))]+"\n\n-- \nAna · Mesa de ayuda\n")
			mix.AgentReplies++
		}
		raw := []byte(strings.ReplaceAll(b.String(), "\n", "\r\n"))
		mix.Bytes += int64(len(raw))
		raws = append(raws, raw)
	}
	return raws, mix
}

func header(b *strings.Builder, name, email, to, subject, msgID, date, inReplyTo string) {
	fmt.Fprintf(b, "Return-Path: <%s>\nReceived: from mx.cliente.test (mx.cliente.test [192.0.2.10])\n\tby mx.ticketd.test with ESMTPS id 4Qx; %s\n", email, date)
	fmt.Fprintf(b, "From: =?UTF-8?Q?%s?= <%s>\nTo: %s\nSubject: =?UTF-8?B?%s?=\nDate: %s\nMessage-ID: <%s>\n",
		qEncodeWord(name), email, to, base64.StdEncoding.EncodeToString([]byte(subject)), date, msgID)
	if inReplyTo != "" {
		fmt.Fprintf(b, "In-Reply-To: <%s>\nReferences: <%s>\n", inReplyTo, inReplyTo)
	}
	b.WriteString("MIME-Version: 1.0\nX-Mailer: Microsoft Outlook 16.0\nThread-Index: AQHaZ3x9\n")
}

func plain(b *strings.Builder, body string) {
	b.WriteString("Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n")
	b.WriteString(body + "\n")
}

func qp(b *strings.Builder, body string) {
	b.WriteString("Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n")
	b.WriteString(qpEncode(body) + "\n")
}

func alternative(b *strings.Builder, body string) {
	b.WriteString("Content-Type: multipart/alternative; boundary=\"alt-b1\"\n\n--alt-b1\n")
	qp(b, body)
	b.WriteString("--alt-b1\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n")
	html := "<html><head><style>p{font-family:Calibri}</style></head><body><p>" +
		strings.ReplaceAll(body, "\n\n", "</p><p>") + "</p></body></html>"
	b.WriteString(qpEncode(strings.ReplaceAll(html, "\n", "<br>")) + "\n--alt-b1--\n")
}

func mixed(b *strings.Builder, body, attachment string, i int) {
	b.WriteString("Content-Type: multipart/mixed; boundary=\"mix-b2\"\n\n--mix-b2\n")
	qp(b, body)
	fmt.Fprintf(b, "--mix-b2\nContent-Type: application/pdf; name=\"captura-%d.pdf\"\nContent-Disposition: attachment; filename=\"captura-%d.pdf\"\nContent-Transfer-Encoding: base64\n\n", i, i)
	b.WriteString(attachment + "--mix-b2--\n")
}

// pdfAttachment is size random bytes, base64 in 76-column lines.
func pdfAttachment(r *rand.Rand, size int) string {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	enc := base64.StdEncoding.EncodeToString(append([]byte("%PDF-1.4\n"), data...))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

// qpEncode is quoted-printable (RFC 2045 §6.7) for UTF-8 text.
func qpEncode(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		col := 0
		for i := 0; i < len(line); i++ {
			c := line[i]
			var tok string
			if (c >= 33 && c <= 126 && c != '=') || c == ' ' {
				tok = string(c)
			} else {
				tok = fmt.Sprintf("=%02X", c)
			}
			if col+len(tok) > 75 {
				b.WriteString("=\n")
				col = 0
			}
			b.WriteString(tok)
			col += len(tok)
		}
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// qEncodeWord is the RFC 2047 "Q" encoding of a display name.
func qEncodeWord(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}
