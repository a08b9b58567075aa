#define TOP 7
#include <sub/nested.h>
