unguarded-content;
