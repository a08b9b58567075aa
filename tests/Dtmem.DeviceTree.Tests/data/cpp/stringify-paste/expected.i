# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"






/ {
 s1 = "hello world";
 s2 = "\"quoted \\\"x\\\"\" 'c' \n";
 s3 = "spaced out";
 s4 = "5";
 s5 = "VAL";
 s6 = "";
 c1 = <0x10>;
 c2 = <VAL1>;
 c3 = <13>;
 c4 = <9>;
 c5 = <+ 3>;
 c6 = < <<>;
 c7 = <- 1>;
 pin_a = <1>;
 c8 = <5>;
};
