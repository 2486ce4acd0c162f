package main

import (
	"errors"
	"io/fs"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
)

// openDigestDesk opens the desk a digest command needs: all of it to
// send, only what it reads for a dry run.
func openDigestDesk(cfg *Config, deps Deps, dryRun bool) (*desk, error) {
	if dryRun {
		return openDryRunDesk(cfg, deps)
	}
	return openDesk(cfg, deps)
}

// openDryRunDesk opens what a dry-run digest (the managers' or the
// agents') reads, and nothing more: the templates, and the database
// read-only under a service that skips its start-up writes. A dry run
// changes nothing, so it needs none of openDesk's writers: no attachment
// store (its charts are drawn, not stored), no metrics, no sender (whose
// delivery-log replay writes), no pollers. The desk it returns has only
// store and svc. It also works where the database file is read-only to
// the user, and beside another reader.
//
// A database that does not exist yet, or was never set up by a service
// (its Message-ID secret is written once, at the first start), is opened
// as openDesk does: a first start writes its setup whatever the command.
func openDryRunDesk(cfg *Config, deps Deps) (*desk, error) {
	tmpl, err := templates.New(cfg.TemplatesDir)
	if err != nil {
		return nil, err
	}
	store, err := tickets.OpenReadOnly(cfg.DataDir, lockTimeout)
	if errors.Is(err, fs.ErrNotExist) {
		return openDesk(cfg, deps)
	}
	if err != nil {
		return nil, err
	}
	o := cfg.Options
	o.Templates, o.Now = tmpl, deps.Now
	svc, err := tickets.NewService(store, o)
	if err != nil {
		store.Close()
		if errors.Is(err, bolt.ErrDatabaseReadOnly) {
			return openDesk(cfg, deps)
		}
		return nil, err
	}
	return &desk{store: store, svc: svc}, nil
}
