package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ticketd/ticketd/tickets"
)

// kbCommand runs "ticketd kb list|show N|search WORDS": through the
// running daemon, else over the database opened read-only.
func kbCommand(cfg *Config, args []string, w, stderr io.Writer) error {
	return withSource(cfg, false, func(src adminSource) error { return kbWith(cfg, src, args, w, stderr) })
}

func kbWith(cfg *Config, src adminSource, args []string, w, stderr io.Writer) error {
	when := func(a tickets.Article) string { return a.Updated.In(cfg.Location).Format("2006-01-02") }
	switch sub := args[0]; {
	case sub == "list" && len(args) == 1:
		arts, err := src.Articles()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tTICKET\tUPDATED\tOFFERED\tHELPED\tTITLE")
		for _, a := range arts {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%d\t%s\n", a.ID, a.Ticket, when(a), a.Suggested, a.Helped, truncate(a.Title, 60))
		}
		return tw.Flush()
	case sub == "show" && len(args) == 2:
		id, err := strconv.ParseUint(args[1], 10, 64)
		if err != nil {
			return fmt.Errorf("kb show: %q is not an article number", args[1])
		}
		a, err := src.Article(id)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "article %d: %s\nfrom ticket %d by %s, updated %s; offered %d time(s), helped %d\n\n%s\n",
			a.ID, a.Title, a.Ticket, a.Author, when(a), a.Suggested, a.Helped, a.Body)
		return nil
	case sub == "search" && len(args) > 1:
		hits, err := src.SearchArticles(strings.Join(args[1:], " "))
		if err != nil {
			return err
		}
		if len(hits) == 0 {
			fmt.Fprintln(w, "no article matches")
			return nil
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tSCORE\tTITLE")
		for _, h := range hits {
			fmt.Fprintf(tw, "%d\t%.2f\t%s\n", h.Article.ID, h.Score, truncate(h.Article.Title, 60))
		}
		return tw.Flush()
	default:
		fmt.Fprintln(stderr, "usage: ticketd kb list|show N|search WORDS --config FILE")
		return errUsage
	}
}
