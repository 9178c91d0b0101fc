"""Browser pages of help (三(八)). Thin: parse a form, call a service, render."""
