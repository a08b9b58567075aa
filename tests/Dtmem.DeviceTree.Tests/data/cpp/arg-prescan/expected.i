# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"
# 10 "main.dts"
a = "A" "1";
b = ab_macro 12;
c = 1;
d = 2 2;
e = ab_macro;
