package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// devFromConfig writes to dst a copy of the admin's own config file (its
// desk, tiers, managers, vendor, targets and templates) rewired to the
// sandbox: [imap] and [smtp] point at the sandbox's servers with its
// password, and the data lives in dataDir. The real servers, secrets and
// the metrics listener are left out, so trying a config never touches
// production mail.
func devFromConfig(src, dst, dataDir, imapAddr, smtpAddr, passwordFile string) error {
	fc, unknown, err := readFileConfig(src)
	if err != nil {
		return err
	}
	if len(unknown) > 0 {
		return fmt.Errorf("config %s: unknown keys: %s", src, strings.Join(unknown, ", "))
	}
	resolvePaths(&fc, src) // templates_dir stays the admin's, wherever dst is
	fc.DataDir = dataDir
	imap := &fc.IMAP
	imap.serverKeys = serverKeys{Address: imapAddr, Security: "none", Username: fc.Support.Address, PasswordFile: passwordFile}
	if d, err := time.ParseDuration(imap.PollInterval); err != nil || d > devPoll {
		imap.PollInterval = devPoll.String()
	}
	fc.SMTP.serverKeys = serverKeys{Address: smtpAddr, Security: "none"}
	fc.Admin.Listen, fc.Admin.AllowRemote = "", false
	var b bytes.Buffer
	b.WriteString("# Written by \"ticketd dev --config " + filepath.Base(src) + "\": that desk, wired to the sandbox.\n")
	if err := toml.NewEncoder(&b).Encode(fc); err != nil {
		return fmt.Errorf("dev: write config: %w", err)
	}
	return os.WriteFile(dst, b.Bytes(), 0o600)
}

// devPoll is the longest IMAP poll interval in the sandbox: mail sent
// there shows up within seconds.
const devPoll = 5 * time.Second
