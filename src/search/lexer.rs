//! Splits a filter or order_by string into tokens, keeping each token's position so errors
//! can point at it. The lexer knows nothing of keys or comparators; the parser gives tokens
//! their meaning.

/// What a token is. Keywords (`AND`, `LIKE`, `ASC`, ...) arrive as [`TokenKind::Word`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TokenKind {
    /// An unquoted name or keyword: a letter or `_`, then letters, digits, `_ . - /`.
    Word(String),
    /// A name in backquotes, quotes removed: `` `val loss` ``.
    Backquoted(String),
    /// A string in single or double quotes, quotes removed and escapes resolved.
    Str {
        text: String,
        double: bool,
    },
    /// A number as written: `-1`, `0.5`, `1e-3`, `.5`.
    Number(String),
    /// A run of the characters `< > = !`, judged by the parser (so `<>` is one bad token).
    Op(String),
    LeftParen,
    RightParen,
    Comma,
}

/// A token and where it sits in the input, in 1-based character positions.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    /// Position of the first character.
    pub start: usize,
    /// Position just past the last character; the next token is adjacent when it starts here.
    pub end: usize,
    /// The token exactly as written, for error messages.
    pub raw: String,
}

/// A syntax or validation problem at a position, before it is turned into an [`Error`].
///
/// [`Error`]: crate::error::Error
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Problem {
    pub message: String,
    pub position: usize,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>, position: usize) -> Self {
        Problem {
            message: message.into(),
            position,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The user-facing text: `Invalid filter '<input>': <message> at position <n>[; <hint>]`.
    pub fn describe(&self, what: &str, input: &str) -> String {
        // A long input is quoted by its start only: the position still says where to look.
        const QUOTED: usize = 500;
        let shown = match input.char_indices().nth(QUOTED) {
            Some((cut, _)) => format!("{}...", &input[..cut]),
            None => input.to_string(),
        };
        let mut text = format!(
            "Invalid {what} '{shown}': {} at position {}",
            self.message, self.position
        );
        if let Some(hint) = &self.hint {
            text.push_str("; ");
            text.push_str(hint);
        }
        text
    }
}

/// Characters allowed after the first one of an unquoted word. `-` and `/` are accepted
/// (MLflow wants them quoted) because keys like `val/loss` or `f1-score` are common and
/// nothing else in the grammar uses those characters.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')
}

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_op_char(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '!')
}

/// Tokenize `input`. Positions count characters (not bytes) from 1.
pub(crate) fn tokenize(input: &str) -> Result<Vec<Token>, Problem> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let kind = match c {
            '(' => {
                i += 1;
                TokenKind::LeftParen
            }
            ')' => {
                i += 1;
                TokenKind::RightParen
            }
            ',' => {
                i += 1;
                TokenKind::Comma
            }
            '\'' | '"' => {
                let (text, next) = quoted(&chars, i, c, true).ok_or_else(|| unterminated(&chars, start, "string"))?;
                i = next;
                TokenKind::Str { text, double: c == '"' }
            }
            '`' => {
                let (text, next) =
                    quoted(&chars, i, '`', false).ok_or_else(|| unterminated(&chars, start, "quoted name"))?;
                i = next;
                TokenKind::Backquoted(text)
            }
            c if is_op_char(c) => {
                while i < chars.len() && is_op_char(chars[i]) {
                    i += 1;
                }
                TokenKind::Op(chars[start..i].iter().collect())
            }
            c if c.is_ascii_digit() || starts_number(&chars, i) => {
                i = number_end(&chars, i);
                if i < chars.len() && is_word_char(chars[i]) && chars[i] != '-' && chars[i] != '/' {
                    let mut end = i;
                    while end < chars.len() && is_word_char(chars[end]) {
                        end += 1;
                    }
                    let raw: String = chars[start..end].iter().collect();
                    return Err(Problem::new(format!("invalid number '{raw}'"), start + 1));
                }
                TokenKind::Number(chars[start..i].iter().collect())
            }
            // A '.' that does not start a number continues a key after a quoted part:
            // `metrics`.x
            c if is_word_start(c) || c == '.' => {
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                }
                TokenKind::Word(chars[start..i].iter().collect())
            }
            other => {
                return Err(Problem::new(format!("unexpected character '{other}'"), start + 1));
            }
        };
        tokens.push(Token {
            kind,
            start: start + 1,
            end: i + 1,
            raw: chars[start..i].iter().collect(),
        });
    }
    Ok(tokens)
}

/// `-` or `.` that begins a number (`-1`, `-.5`, `.5`).
fn starts_number(chars: &[char], i: usize) -> bool {
    let digit_at = |j: usize| chars.get(j).is_some_and(|c| c.is_ascii_digit());
    match chars[i] {
        '-' => digit_at(i + 1) || (chars.get(i + 1) == Some(&'.') && digit_at(i + 2)),
        '.' => digit_at(i + 1),
        _ => false,
    }
}

/// End of the number starting at `i`: `-?(digits[.digits?] | .digits)([eE][+-]?digits)?`.
fn number_end(chars: &[char], mut i: usize) -> usize {
    let digits = |mut j: usize| {
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    if chars[i] == '-' {
        i += 1;
    }
    i = digits(i);
    if chars.get(i) == Some(&'.') {
        i = digits(i + 1);
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        if matches!(chars.get(j), Some('+' | '-')) {
            j += 1;
        }
        if chars.get(j).is_some_and(|c| c.is_ascii_digit()) {
            i = digits(j);
        }
    }
    i
}

/// Read a quoted run starting at the opening `quote`. A doubled quote stands for one quote;
/// with `backslash`, `\` takes the next character literally. Returns the text and the index
/// after the closing quote, or `None` when the input ends first.
fn quoted(chars: &[char], open: usize, quote: char, backslash: bool) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        let c = chars[i];
        if backslash && c == '\\' && i + 1 < chars.len() {
            text.push(chars[i + 1]);
            i += 2;
        } else if c == quote {
            if chars.get(i + 1) == Some(&quote) {
                text.push(quote);
                i += 2;
            } else {
                return Some((text, i + 1));
            }
        } else {
            text.push(c);
            i += 1;
        }
    }
    None
}

fn unterminated(chars: &[char], start: usize, what: &str) -> Problem {
    let raw: String = chars[start..].iter().collect();
    Problem::new(format!("unterminated {what} {raw}"), start + 1).with_hint(format!("add the closing {}", chars[start]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<TokenKind> {
        tokenize(input).unwrap().into_iter().map(|t| t.kind).collect()
    }

    fn word(text: &str) -> TokenKind {
        TokenKind::Word(text.into())
    }

    #[test]
    fn splits_a_comparison_with_positions() {
        let tokens = tokenize("metrics.rmse <= 0.5").unwrap();
        assert_eq!(tokens[0].kind, word("metrics.rmse"));
        assert_eq!((tokens[0].start, tokens[0].end), (1, 13));
        assert_eq!(tokens[1].kind, TokenKind::Op("<=".into()));
        assert_eq!(tokens[1].start, 14);
        assert_eq!(tokens[2].kind, TokenKind::Number("0.5".into()));
        assert_eq!(tokens[2].start, 17);
    }

    #[test]
    fn operator_runs_stay_whole_so_bad_ones_can_be_named() {
        assert_eq!(kinds("a <> 1")[1], TokenKind::Op("<>".into()));
        assert_eq!(kinds("a!=1")[1], TokenKind::Op("!=".into()));
        assert_eq!(
            kinds("a>-1"),
            vec![word("a"), TokenKind::Op(">".into()), TokenKind::Number("-1".into())]
        );
    }

    #[test]
    fn numbers_in_every_form() {
        for n in ["1", "-1", "0.5", "-0.5", ".5", "-.5", "1e10", "1E-3", "2.5e+4", "5."] {
            assert_eq!(kinds(n), vec![TokenKind::Number(n.into())], "{n}");
        }
        let err = tokenize("x = 12abc").unwrap_err();
        assert_eq!(err.position, 5);
        assert!(err.message.contains("12abc"), "{}", err.message);
    }

    #[test]
    fn strings_in_both_quotes_with_escapes() {
        assert_eq!(
            kinds("'a b'"),
            vec![TokenKind::Str {
                text: "a b".into(),
                double: false
            }]
        );
        assert_eq!(
            kinds("\"a'b\""),
            vec![TokenKind::Str {
                text: "a'b".into(),
                double: true
            }]
        );
        assert_eq!(
            kinds("'it''s'"),
            vec![TokenKind::Str {
                text: "it's".into(),
                double: false
            }]
        );
        assert_eq!(
            kinds(r"'it\'s'"),
            vec![TokenKind::Str {
                text: "it's".into(),
                double: false
            }]
        );
        assert_eq!(
            kinds("'é%'"),
            vec![TokenKind::Str {
                text: "é%".into(),
                double: false
            }]
        );
    }

    #[test]
    fn backquoted_names_and_adjacency() {
        let tokens = tokenize("metrics.`val loss` > 1").unwrap();
        assert_eq!(tokens[0].kind, word("metrics."));
        assert_eq!(tokens[1].kind, TokenKind::Backquoted("val loss".into()));
        assert_eq!(tokens[0].end, tokens[1].start);
    }

    #[test]
    fn words_keep_dots_dashes_and_slashes() {
        assert_eq!(kinds("tags.mlflow.runName"), vec![word("tags.mlflow.runName")]);
        assert_eq!(kinds("metrics.val/loss-2"), vec![word("metrics.val/loss-2")]);
    }

    #[test]
    fn lists_and_punctuation() {
        assert_eq!(
            kinds("IN ('a','b')"),
            vec![
                word("IN"),
                TokenKind::LeftParen,
                TokenKind::Str {
                    text: "a".into(),
                    double: false
                },
                TokenKind::Comma,
                TokenKind::Str {
                    text: "b".into(),
                    double: false
                },
                TokenKind::RightParen,
            ]
        );
    }

    #[test]
    fn unterminated_string_points_at_its_start() {
        let err = tokenize("params.a = 'abc").unwrap_err();
        assert_eq!(err.position, 12);
        assert!(err.message.contains("unterminated string 'abc"), "{}", err.message);
        let err = tokenize("metrics.`abc = 1").unwrap_err();
        assert_eq!(err.position, 9);
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let tokens = tokenize("tags.x = 'héllo' AND y").unwrap();
        assert_eq!(tokens[3].kind, word("AND"));
        assert_eq!(tokens[3].start, 18);
    }

    #[test]
    fn stray_characters_are_refused() {
        let err = tokenize("metrics.a = 1; DROP").unwrap_err();
        assert_eq!(err.position, 14);
        assert!(err.message.contains("';'"));
    }
}
