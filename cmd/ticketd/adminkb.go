package main

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ticketd/ticketd/tickets"
)

// The knowledge base and the digest over the admin socket, so that
// "ticketd kb" and "ticketd digest" work while the daemon holds the
// database.

// errNoService: the digest needs the running desk, not only its database.
var errNoService = errors.New("the digest needs the desk: run it from the daemon's host with the daemon stopped, or with its admin socket")

func (l *localSource) Articles() ([]tickets.Article, error) { return l.store.Articles() }

func (l *localSource) Article(id uint64) (tickets.Article, error) { return l.store.Article(id) }

func (l *localSource) SearchArticles(q string) ([]tickets.Hit, error) {
	return l.store.SearchArticles(q, 10)
}

func (l *localSource) Digest(dryRun bool) (tickets.DigestResult, error) {
	if l.svc == nil {
		return tickets.DigestResult{}, errNoService
	}
	waitWarm(l.warmed)
	return l.svc.Digest(dryRun)
}

func (r *remoteSource) Articles() (v []tickets.Article, err error) {
	err = r.get("GET", "/v1/kb", &v)
	return v, err
}

func (r *remoteSource) Article(id uint64) (v tickets.Article, err error) {
	err = r.get("GET", "/v1/kb/"+strconv.FormatUint(id, 10), &v)
	return v, err
}

func (r *remoteSource) SearchArticles(q string) (v []tickets.Hit, err error) {
	err = r.get("GET", "/v1/kb/search?"+url.Values{"q": {q}}.Encode(), &v)
	return v, err
}

func (r *remoteSource) Digest(dryRun bool) (v tickets.DigestResult, err error) {
	err = r.get("POST", "/v1/digest?"+url.Values{"dry_run": {strconv.FormatBool(dryRun)}}.Encode(), &v)
	return v, err
}

// kbRoutes adds the knowledge-base and digest endpoints to the admin API.
func kbRoutes(mux *http.ServeMux, src adminSource, reply func(http.ResponseWriter, any, error)) {
	mux.HandleFunc("GET /v1/kb", func(w http.ResponseWriter, r *http.Request) {
		v, err := src.Articles()
		reply(w, v, err)
	})
	mux.HandleFunc("GET /v1/kb/search", func(w http.ResponseWriter, r *http.Request) {
		v, err := src.SearchArticles(r.FormValue("q"))
		reply(w, v, err)
	})
	mux.HandleFunc("GET /v1/kb/{id}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
		if err != nil {
			reply(w, nil, tickets.ErrNotFound)
			return
		}
		v, err := src.Article(n)
		reply(w, v, err)
	})
	mux.HandleFunc("POST /v1/digest", func(w http.ResponseWriter, r *http.Request) {
		dry, _ := strconv.ParseBool(r.FormValue("dry_run"))
		v, err := src.Digest(dry)
		reply(w, v, err)
	})
}
