# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"







/ {
 a = <((1) << 16 | (2))>;
 b = < 3 4>;
 c = <5 6>;

 d = "slashes // in a string /* too */";
 e = <7 8>;

 f = <((3) << 16 | (4))>;

};

g = <1>;


comment-in-if;

after = <1>;
