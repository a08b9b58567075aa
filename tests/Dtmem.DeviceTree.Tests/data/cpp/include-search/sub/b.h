#define B_VALUE 0xb
