; Zed's JSON grammar (tree-sitter-json) node names.
(pair key: (string) @property.json_key)
(string) @string
(escape_sequence) @string.escape
(number) @number
[(true) (false)] @boolean
(null) @constant
["{" "}" "[" "]"] @punctuation.bracket
["," ":"] @punctuation.delimiter
