// Package langdetect tells which of a few languages a short text is
// written in, from lists of frequent words (stop words) — no network, no
// large model. It is pure: a Detector is built from the lists (package
// templates keeps one per language, next to that language's mails) and
// answers from the text alone.
//
// The model: the text is split into words (letters and inner
// apostrophes, lower case); a word in k of the lists adds 1/k to each of
// them, so shared words ("a", "no", "problema") tell nothing apart. A
// word in no list is looked up again without its accents, for people who
// type "contrasena" or "nao". The guess is confident only when the best
// language has enough evidence and clearly more than the next one (Rule):
// short or mixed text is left undecided, and the caller keeps what it
// knew.
package langdetect
