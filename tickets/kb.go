package tickets

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// The knowledge base: agents save an answer with "#kb"; articles are
// indexed by their words (folded for case and accents, Spanish and English
// stop words dropped, a plural "s" cut) and ranked with BM25 (k1 1.2,
// b 0.75, an idf that stays positive in a small corpus). A new
// ticket's acknowledgement offers the best matches.

// Article is one knowledge-base entry.
type Article struct {
	ID      uint64    `json:"id"`
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Ticket  uint64    `json:"ticket"` // the ticket it was written on
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Len is the article's indexed length in terms (title counted twice).
	Len int `json:"len"`
	// Suggested and Helped count how often it was offered to a requester,
	// and how often a requester said it solved their problem.
	Suggested int `json:"suggested,omitempty"`
	Helped    int `json:"helped,omitempty"`
}

// Hit is an article found by a search, with its BM25 score and the number
// of distinct query terms it contains.
type Hit struct {
	Article Article
	Score   float64
	Matched int
}

// kbStats are the corpus figures BM25 needs, kept in meta.
type kbStats struct {
	Docs     int `json:"docs"`
	TotalLen int `json:"total_len"`
}

// BM25 parameters (the usual ones).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// stopWords are dropped from documents and queries: they match everything.
// Built on first use: only the knowledge base needs them.
var stopWords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		a al algo ante antes como con contra cual cuando de del desde donde durante e el ella ellas ellos en entre era es esa ese eso esta estas este esto estoy fue ha hay la las le les lo los mas me mi mis muy nada ni no nos o os otra otro para pero poco por porque que quien se sea si sin sobre son su sus tambien te tengo tiene toda todo tu un una uno unos y ya yo hola gracias buenos buenas dias tardes favor puedo puede saludos
		about after all also am an and any are as at be been but by can could did do does for from had has have he her hi him his how i if in into is it its just me my no not of on or our out she so than thanks thank that the their them then there these they this to too up us was we were what when where which who why will with would you your please hello dear regards`) {
		m[w] = true
	}
	return m
})

// terms folds text into indexable terms.
func terms(text string) []string {
	var out []string
	stop := stopWords()
	for _, w := range tiers.Words(text) {
		if len([]rune(w)) < 2 || stop[w] {
			continue
		}
		if len(w) > 4 && strings.HasSuffix(w, "s") { // impresoras → impresora, printers → printer
			w = w[:len(w)-1]
		}
		out = append(out, w)
	}
	return out
}

// queryTerms are the distinct terms of a query, in order.
func queryTerms(q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range terms(q) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// documentTerms are an article's term frequencies: the title counts twice.
func documentTerms(a *Article) (map[string]int, int) {
	tf := map[string]int{}
	n := 0
	for _, t := range append(append(terms(a.Title), terms(a.Title)...), terms(a.Body)...) {
		tf[t]++
		n++
	}
	return tf, n
}

// searchKB ranks the articles for query (distinct terms, see queryTerms)
// with BM25, best first, at most limit.
func searchKB(tx *bolt.Tx, stats kbStats, query []string, limit int) ([]Hit, error) {
	if stats.Docs == 0 {
		return nil, nil
	}
	avgLen := float64(stats.TotalLen) / float64(stats.Docs)
	scores := map[uint64]*Hit{}
	for _, term := range query {
		postings := termPostings(tx, term)
		// idf = 1 + ln(N/df): BM25's own idf (ln(1+(N-df+0.5)/(df+0.5)))
		// all but vanishes in a knowledge base of a handful of articles,
		// which is how every desk starts; this one never drops below 1, so
		// min_score means the same for 5 articles as for 5,000.
		df := float64(len(postings))
		idf := 1 + math.Log(float64(stats.Docs)/df)
		for _, p := range postings {
			h := scores[p.id]
			if h == nil {
				art, err := getArticle(tx, p.id)
				if err != nil {
					return nil, err
				}
				h = &Hit{Article: art}
				scores[p.id] = h
			}
			tf := float64(p.tf)
			norm := bm25K1 * (1 - bm25B + bm25B*float64(h.Article.Len)/avgLen)
			h.Score += idf * tf * (bm25K1 + 1) / (tf + norm)
			h.Matched++
		}
	}
	hits := make([]Hit, 0, len(scores))
	for _, h := range scores {
		hits = append(hits, *h)
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Article.ID < hits[j].Article.ID
	})
	return hits[:min(len(hits), limit)], nil
}

// suggestions are the articles good enough to offer for a new ticket: a
// score of at least MinScore and two query terms in common (one when the
// query has only one).
func (a *applier) suggestions(subject, text string) ([]Article, error) {
	if a.s.opts.KBSuggestions <= 0 {
		return nil, nil
	}
	stats, err := getKBStats(a.tx)
	if err != nil || stats.Docs == 0 {
		return nil, err // an empty knowledge base costs a new ticket one Get
	}
	query := queryTerms(subject + " " + truncateRunes(text, 1000))
	hits, err := searchKB(a.tx, stats, query, a.s.opts.KBSuggestions)
	if err != nil {
		return nil, err
	}
	need := min(2, len(query))
	var out []Article
	for _, h := range hits {
		if h.Score >= a.s.opts.KBMinScore && h.Matched >= need {
			out = append(out, h.Article)
		}
	}
	return out, nil
}

// saveArticle stores article, written by agent on t, in the knowledge
// base (title from the ticket's subject), or updates the article already
// written on t. An empty article saves the ticket's last public answer.
func (a *applier) saveArticle(t *Ticket, agent, article string) error {
	body := strings.TrimSpace(a.s.blankAgents(cutSignOff(article)))
	if body == "" {
		var err error
		if body, err = a.lastPublicAnswer(t); err != nil {
			return err
		}
	}
	if body == "" {
		return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventKB, Actor: agent, Detail: "#kb: no answer on the ticket to save"})
	}
	art := Article{Title: t.Subject, Body: body, Ticket: t.ID, Author: agent, Created: a.now, Updated: a.now}
	detail := "saved as article %d"
	if id, ok := articleOfTicket(a.tx, t.ID); ok {
		old, err := getArticle(a.tx, id)
		if err != nil {
			return err
		}
		art.ID, art.Created, art.Suggested, art.Helped = old.ID, old.Created, old.Suggested, old.Helped
		detail = "article %d updated"
	} else {
		id, err := newArticleID(a.tx, t.ID)
		if err != nil {
			return err
		}
		art.ID = id
	}
	if err := putArticle(a.tx, &art); err != nil {
		return err
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventKB, Actor: agent, Detail: fmt.Sprintf(detail, art.ID)})
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// SearchArticles ranks the articles for query, best first.
func (s *Store) SearchArticles(query string, limit int) ([]Hit, error) {
	var hits []Hit
	err := s.view(func(tx *bolt.Tx) error {
		stats, err := getKBStats(tx)
		if err != nil {
			return err
		}
		hits, err = searchKB(tx, stats, queryTerms(query), limit)
		return err
	})
	return hits, err
}
