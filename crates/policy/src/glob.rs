//! Case-insensitive glob patterns (`*` any run, `?` one character) for
//! titles and application names.

/// A compiled glob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    source: String,
    pattern: Vec<char>,
}

impl Glob {
    /// Compiles a pattern; matching ignores case.
    pub fn new(pattern: &str) -> Glob {
        Glob { source: pattern.to_string(), pattern: fold(pattern) }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text` matches. Runs in O(len(text) ×
    /// len(pattern)) at worst: a `*` resumes from the last star only.
    pub fn matches(&self, text: &str) -> bool {
        let text = fold(text);
        let p = &self.pattern;
        let (mut ti, mut pi) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < text.len() {
            // A star in the pattern first: a `*` in the text is an
            // ordinary character, not the pattern's star.
            if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if pi < p.len() && (p[pi] == '?' || p[pi] == text[ti]) {
                ti += 1;
                pi += 1;
            } else if let Some((star_pi, star_ti)) = star {
                pi = star_pi + 1;
                ti = star_ti + 1;
                star = Some((star_pi, star_ti + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
    }
}

fn fold(s: &str) -> Vec<char> {
    s.chars().flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_questions_and_case() {
        assert!(Glob::new("*Private Browsing*").matches("Mozilla Firefox — private browsing"));
        assert!(Glob::new("pinentry*").matches("Pinentry-GTK"));
        assert!(Glob::new("a?c").matches("ABC"));
        assert!(!Glob::new("a?c").matches("ac"));
        assert!(Glob::new("*").matches(""));
        assert!(!Glob::new("xterm").matches("xterm2"));
        assert!(Glob::new("*a*b*c").matches("zzazzbzzc"));
        assert!(!Glob::new("*a*b*c").matches("zzazzbzz"));
    }

    #[test]
    fn stars_and_question_marks_in_the_text_are_plain_characters() {
        // A page can choose its own title: one starting with `*` must not
        // slip past a rule.
        assert!(Glob::new("*private browsing*").matches("*Sale — Mozilla Firefox Private Browsing"));
        assert!(Glob::new("*bitwarden*").matches("** Bitwarden Web Vault"));
        assert!(Glob::new("*vault*").matches("?*?vault"));
        assert!(Glob::new("a*").matches("a*"));
        assert!(!Glob::new("a*b").matches("*a"));
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let text = "a".repeat(5000);
        assert!(!Glob::new(&format!("{}b", "*a".repeat(50))).matches(&text));
    }
}
