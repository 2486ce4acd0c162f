package smtptest

import (
	"errors"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/ticketd/ticketd/mailauth"
)

// oauth returns the server side of XOAUTH2 or OAUTHBEARER when
// Options.OAuthToken is set.
func (ss *session) oauth(mech string) (sasl.Server, error) {
	want := ss.s.opts
	if want.OAuthToken == nil {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	check := func(user, token string) error {
		if (want.Username != "" && user != want.Username) || token != want.OAuthToken() {
			return smtp.ErrAuthFailed
		}
		ss.username = user
		return nil
	}
	switch mech {
	case "XOAUTH2":
		return &xoauth2Server{check: check}, nil
	case sasl.OAuthBearer:
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if check(o.Username, o.Token) != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
			}
			return nil
		}), nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// xoauth2Server plays Gmail's XOAUTH2: on a bad token an error challenge,
// then 535 after the client's empty response.
type xoauth2Server struct {
	check  func(user, token string) error
	failed bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, smtp.ErrAuthFailed
	}
	if resp == nil {
		return []byte{}, false, nil
	}
	user, token := mailauth.ParseXOAUTH2(resp)
	if user == "" {
		return nil, true, errors.New("malformed XOAUTH2 response")
	}
	if err := x.check(user, token); err != nil {
		x.failed = true
		return []byte(`{"status":"400","schemes":"Bearer"}`), false, nil
	}
	return nil, true, nil
}
