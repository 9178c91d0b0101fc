"""Browser forms of help (三(八)): the shape of the input only; the rules are the services'."""
