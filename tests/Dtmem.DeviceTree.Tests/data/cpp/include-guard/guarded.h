#ifndef GUARDED_H
#define GUARDED_H
#define G 1
guarded-content;
#endif
