package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// credentialsDirEnv is where systemd puts the credentials of a unit's
// LoadCredential= lines (systemd.exec(5), "Credentials"): a private,
// read-only directory that only the service's user can read.
const credentialsDirEnv = "CREDENTIALS_DIRECTORY"

// errNoCredentialsDir: the process was not started by systemd with
// credentials, so password_credential does not apply.
var errNoCredentialsDir = errors.New("$" + credentialsDirEnv + " is not set")

// readCredential reads the systemd credential name from
// $CREDENTIALS_DIRECTORY with the same limits as a password file.
func readCredential(name string) ([]byte, error) {
	if err := checkCredentialName(name); err != nil {
		return nil, err
	}
	dir := os.Getenv(credentialsDirEnv)
	if dir == "" {
		return nil, errNoCredentialsDir
	}
	data, err := readPasswordFile(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("credential %q is not in $%s (%s): the unit has no LoadCredential= for it, or its file is missing", name, credentialsDirEnv, dir)
	}
	return data, err
}

// checkCredentialName refuses a name that is not one file name, so that a
// credential can never be read from outside the credentials directory.
func checkCredentialName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("%q is not a credential name (a file name, no \"/\")", name)
	}
	return nil
}
