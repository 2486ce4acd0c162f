package templates

import (
	"fmt"
	"strings"
)

// stopWordsFile holds, per language, the words its mails are recognised
// by (language detection, package langdetect): one word per line, "#"
// starts a comment. Frequent function words first, then common words of
// help-desk requests. A new language is its folder, with this list.
const stopWordsFile = "stopwords.txt"

// minStopWords is how many words a list needs to tell its language apart.
const minStopWords = 50

// parseStopWords reads lang's stop-word list: lower-case words, each once.
func parseStopWords(src *source, lang Language) ([]string, error) {
	body, where, err := src.read(string(lang) + "/" + stopWordsFile)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, w := range strings.Fields(strings.ToLower(line)) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	if len(out) < minStopWords {
		return nil, fmt.Errorf("templates: %s: %d words, a language needs at least %d to be recognised", where, len(out), minStopWords)
	}
	return out, nil
}

// StopWords returns the stop-word list of lang (nil for an unknown
// language): the words package langdetect recognises lang by.
func (s *Set) StopWords(lang Language) []string {
	l, _ := s.lang(lang)
	return l.stopWords
}
