# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"





/ {
 a = <1 (1 + 1)>;
 b = <1, (1 + 1)>;
 c = < 5 >;
 gpios = <&gpio0 12 1>;
 str = "ONE TWO";
 ONE_not_a_macro = <1>;
};

d = <ONE>;

e = <11>;

f = <(11 + 11)>;
