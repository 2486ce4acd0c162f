package tickets

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/ticketd/ticketd/templates"
)

// Satisfaction (CSAT): when a ticket is resolved the requester is asked,
// once per resolution, to rate the help from 1 to 5 by replying with the
// number (the mail's mailto: links prefill such a reply). The rating and
// any words with it are recorded; a low one is sent to the desk's people.

// ratingSubject finds the rating the mailto: links put in the subject.
var ratingSubject = regexp.MustCompile(`(?i)\b(valoraci[oó]n|rating|calificaci[oó]n)\s*:?\s*([1-5])\b`)

// ratingText finds a rating at the start of the reply: "4", "4/5",
// "4 - muy bien".
var ratingText = regexp.MustCompile(`^\s*([1-5])(\s*/\s*5)?(\s|[.,;:!\-]|$)`)

// parseRating returns the rating in a reply to the satisfaction question,
// and the comment that came with it.
func parseRating(subject, text string) (int, string, bool) {
	text = strings.TrimSpace(text)
	if m := ratingText.FindStringSubmatch(text); m != nil {
		return int(m[1][0] - '0'), strings.TrimSpace(strings.TrimLeft(text[len(m[0]):], " .,;:!-")), true
	}
	if m := ratingSubject.FindStringSubmatch(subject); m != nil {
		return int(m[2][0] - '0'), text, true
	}
	return 0, "", false
}

// askForRating queues the satisfaction question for a resolved ticket.
func (a *applier) askForRating(t *Ticket) error {
	if !a.s.opts.CSAT {
		return nil
	}
	t.CSATAsked, t.Rating, t.RatingComment = true, 0, ""
	return a.queue(t, outgoing{kind: templates.CSAT, to: []Address{t.Requester}, thread: a.publicThread(t), auto: "auto-generated",
		rateLinks: a.rateLinks(t)})
}

// rate records the requester's rating; a low one goes to the desk.
func (a *applier) rate(t *Ticket, m *Inbound, rating int, comment string) error {
	t.Rating, t.RatingComment, t.CSATAsked = rating, comment, false
	if err := a.recordInbound(t, m, "rating"); err != nil {
		return err
	}
	if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventRating, Actor: t.Requester.Email,
		Detail: fmt.Sprint(rating), Text: comment}); err != nil {
		return err
	}
	if rating > a.s.opts.LowRating {
		return nil
	}
	author := t.Requester
	return a.queue(t, outgoing{kind: templates.LowRating, to: a.internalRecipients(t), thread: a.agentThread(t),
		auto: "auto-generated", text: comment, author: &author, rating: rating})
}

// rateLinks are the mailto: links of the satisfaction question, 5 first.
func (a *applier) rateLinks(t *Ticket) []string {
	word := "Valoración"
	if a.s.opts.Language == "en" {
		word = "Rating"
	}
	links := make([]string, 5)
	for n := 5; n >= 1; n-- {
		q := url.Values{}
		q.Set("subject", fmt.Sprintf("Re: %s %s %d", a.s.token.format(t.ID), word, n))
		q.Set("body", fmt.Sprint(n))
		// mailto: wants %20, not +, for spaces (RFC 6068).
		links[5-n] = "mailto:" + a.s.opts.Desk.Email + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	}
	return links
}
