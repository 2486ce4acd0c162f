package mailparse

import (
	gomail "github.com/emersion/go-message/mail"
)

// maxEnvelopeFields bounds the Delivered-To / X-Original-To fields read
// from one message: a forged mail may carry thousands.
const maxEnvelopeFields = 16

// envelopeRecipients returns the addresses of the header fields named key
// (Delivered-To, X-Original-To), topmost first: the MTA that delivered the
// mail prepends its own, so the first is the most trusted (a sender can
// add others below it). tickets routes a new mail by them (queue.go).
func envelopeRecipients(h gomail.Header, key string) []string {
	var out []string
	seen := map[string]bool{}
	for i, v := range h.Values(key) {
		if i == maxEnvelopeFields {
			break
		}
		for _, a := range parseAddressList(v) {
			if !seen[a.Email] {
				seen[a.Email] = true
				out = append(out, a.Email)
			}
		}
	}
	return out
}
