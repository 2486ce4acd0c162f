package mailparse

import (
	"strings"
	"testing"
)

// reportMail is a multipart/report naming agent1 as failed; returned is
// its third part ("" for none) and text its human-readable part.
func reportMail(text, returned string) []byte {
	s := `From: MAILER-DAEMON@mx.evil.test
To: soporte@example.com
Subject: Undelivered Mail Returned to Sender
Message-ID: <report@mx.evil.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

` + text + `
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.evil.test

Final-Recipient: rfc822; agent1@example.com
Action: failed
Status: 5.1.1
`
	if returned != "" {
		s += "\n--b\n" + returned
	}
	s += "\n--b--\n"
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}

// TestBounceReturnedHeaders: a report speaks for a mail only when that
// mail's Message-ID is in its returned headers part, not anywhere in its
// text (issue 10, item 2).
func TestBounceReturnedHeaders(t *testing.T) {
	const ours = "ticketd.1.2.abcdef.0123456789abcdef@example.com"
	tests := []struct {
		name     string
		raw      []byte
		returned bool
	}{
		{"message/rfc822", reportMail("Mail failed.", "Content-Type: message/rfc822\n\nMessage-ID: <"+ours+">\nFrom: soporte@example.com\nSubject: x\n\nbody\n"), true},
		{"text/rfc822-headers", reportMail("Mail failed.", "Content-Type: text/rfc822-headers\n\nMessage-ID: <"+ours+">\nFrom: soporte@example.com\n"), true},
		{"only in the text", reportMail("Mail failed.\nMessage-ID: <"+ours+">\n", ""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if in.Bounce == nil || in.Bounce.OriginalMessageID != ours {
				t.Fatalf("bounce %+v, want one naming %s", in.Bounce, ours)
			}
			if in.Bounce.Returned != tt.returned {
				t.Errorf("Returned = %v, want %v", in.Bounce.Returned, tt.returned)
			}
		})
	}
}
