// The knowledge base's storage: articles (kb), their search index
// (kb_terms), the article written on each ticket (kb_by_ticket) and the
// BM25 corpus figures (meta "kb_stats"), inside the caller's transaction.
// kb.go holds the terms, the ranking and the #kb rules.

package tickets

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var keyKBStats = []byte("kb_stats")

func termKey(term string, id uint64) []byte {
	return append(append([]byte(term), 0), u64(id)...)
}

// putArticle writes art and its index entries, replacing an older version.
func putArticle(tx *bolt.Tx, art *Article) error {
	stats, err := getKBStats(tx)
	if err != nil {
		return err
	}
	if old, err := getArticle(tx, art.ID); err == nil {
		tf, n := documentTerms(&old)
		for t := range tf {
			if err := tx.Bucket(bucketKBTerms).Delete(termKey(t, old.ID)); err != nil {
				return err
			}
		}
		stats.Docs--
		stats.TotalLen -= n
	}
	tf, n := documentTerms(art)
	art.Len = n
	for t, c := range tf {
		if err := tx.Bucket(bucketKBTerms).Put(termKey(t, art.ID), binary.BigEndian.AppendUint32(nil, uint32(c))); err != nil {
			return err
		}
	}
	stats.Docs++
	stats.TotalLen += n
	if err := putJSON(tx.Bucket(bucketMeta), keyKBStats, stats); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bucketKB), u64(art.ID), art)
}

func getKBStats(tx *bolt.Tx) (kbStats, error) {
	var s kbStats
	if v := tx.Bucket(bucketMeta).Get(keyKBStats); v != nil {
		if err := json.Unmarshal(v, &s); err != nil {
			return s, fmt.Errorf("kb stats: %w", err)
		}
	}
	return s, nil
}

func getArticle(tx *bolt.Tx, id uint64) (Article, error) {
	var a Article
	v := tx.Bucket(bucketKB).Get(u64(id))
	if v == nil {
		return a, fmt.Errorf("article %d: %w", id, ErrNotFound)
	}
	if err := json.Unmarshal(v, &a); err != nil {
		return a, fmt.Errorf("article %d: %w", id, err)
	}
	return a, nil
}

// countArticle adds to an article's Suggested or Helped count.
func countArticle(tx *bolt.Tx, id uint64, helped bool) error {
	art, err := getArticle(tx, id)
	if err != nil {
		return err
	}
	if helped {
		art.Helped++
	} else {
		art.Suggested++
	}
	return putJSON(tx.Bucket(bucketKB), u64(id), art)
}

// Articles returns every knowledge-base article in number order.
func (s *Store) Articles() ([]Article, error) { return all(s.db, bucketKB, fromJSON[Article]) }

// Article returns article id.
func (s *Store) Article(id uint64) (Article, error) {
	var a Article
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		a, err = getArticle(tx, id)
		return err
	})
	return a, err
}

// posting is one article containing a term, with the term's frequency in it.
type posting struct {
	id uint64
	tf int
}

// termPostings returns the articles containing term, in article order.
func termPostings(tx *bolt.Tx, term string) []posting {
	var postings []posting
	prefix := append([]byte(term), 0)
	c := tx.Bucket(bucketKBTerms).Cursor()
	for k, v := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
		postings = append(postings, posting{u64From(k[len(prefix):]), int(binary.BigEndian.Uint32(v))})
	}
	return postings
}

// articleOfTicket returns the article written on ticket, if any.
func articleOfTicket(tx *bolt.Tx, ticket uint64) (uint64, bool) {
	if v := tx.Bucket(bucketKBByTicket).Get(u64(ticket)); len(v) == 8 {
		return u64From(v), true
	}
	return 0, false
}

// newArticleID returns a new article number and files it as ticket's article.
func newArticleID(tx *bolt.Tx, ticket uint64) (uint64, error) {
	id, err := tx.Bucket(bucketKB).NextSequence()
	if err != nil {
		return 0, err
	}
	return id, tx.Bucket(bucketKBByTicket).Put(u64(ticket), u64(id))
}
