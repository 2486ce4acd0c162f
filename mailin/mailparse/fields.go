package mailparse

// regexpSpace is what \s matches in a regexp (ASCII white space but the
// vertical tab).
const regexpSpace = "\t\n\f\r "

func isRegexpSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
