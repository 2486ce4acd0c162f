package main

import (
	"path/filepath"
	"strings"
)

// fromConfigDir resolves a path key's value the way config.example.toml
// promises: a relative path is relative to the config file's directory, not
// to the working directory (which is "/" under systemd). "" stays "".
func fromConfigDir(base, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// resolvePaths applies fromConfigDir to every path key of the file, in one
// place, before anything reads them. token_command's program is resolved
// only when it names a path ("bin/token", "./token"); a bare name
// ("ticketd-token") is looked up in PATH as a shell would.
func resolvePaths(fc *fileConfig, configPath string) {
	base := filepath.Dir(configPath)
	if abs, err := filepath.Abs(base); err == nil {
		base = abs // a relative --config stays right if the process changes directory
	}
	fc.DataDir = fromConfigDir(base, fc.DataDir)
	fc.TemplatesDir = fromConfigDir(base, fc.TemplatesDir)
	for _, k := range []*serverKeys{&fc.IMAP.serverKeys, &fc.SMTP.serverKeys} {
		k.PasswordFile = fromConfigDir(base, k.PasswordFile)
		k.CAFile = fromConfigDir(base, k.CAFile)
		if len(k.TokenCommand) > 0 && strings.ContainsRune(k.TokenCommand[0], filepath.Separator) {
			k.TokenCommand = append([]string{fromConfigDir(base, k.TokenCommand[0])}, k.TokenCommand[1:]...)
		}
	}
}
