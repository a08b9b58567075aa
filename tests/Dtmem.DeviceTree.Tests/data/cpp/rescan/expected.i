# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"
# 12 "main.dts"
a = foo;
b = bar baz;
c = 2*9*g;
d = self(1 + 1);
e = [3];
h = fn;
i = AA BB;
j = fn ( 4);
