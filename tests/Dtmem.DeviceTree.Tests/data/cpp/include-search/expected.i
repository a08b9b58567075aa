# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"
/dts-v1/;
# 1 "sub/a.dtsi" 1

# 1 "sub/b.h" 1
# 3 "sub/a.dtsi" 2
/ { a = <0xb>; };
# 3 "main.dts" 2
# 1 "inc/top.h" 1

# 1 "inc/sub/nested.h" 1
nested-line;
# 3 "inc/top.h" 2
# 4 "main.dts" 2
# 1 "inc/only-in-inc.h" 1
# 5 "main.dts" 2
/ {
 top = <7>;
 inc = <3>;
};
