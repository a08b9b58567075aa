nested-line;
