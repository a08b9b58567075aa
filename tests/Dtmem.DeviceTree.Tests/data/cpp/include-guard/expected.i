# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"
# 1 "guarded.h" 1



guarded-content;
# 2 "main.dts" 2

# 1 "unguarded.h" 1
unguarded-content;
# 4 "main.dts" 2
# 1 "unguarded.h" 1
unguarded-content;
# 5 "main.dts" 2
x = <1>;
# 25 "main.dts"
far-below = <1>;
