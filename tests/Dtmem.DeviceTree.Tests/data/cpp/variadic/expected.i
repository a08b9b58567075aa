# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"







a = <1, 2, 3>;
b = <>;
c = x: y, z;
d = f(1) f(1,) f(,) f(1, 2, 3);
e = g(1) g(1, 2);
f = h(x) h(x,1);
g = "a, b ,c";
