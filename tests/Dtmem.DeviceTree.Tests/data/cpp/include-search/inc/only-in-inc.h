#define ONLY_IN_INC 3
