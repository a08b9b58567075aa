# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"


hex-octal-binary;




unsigned-comparison;


signed-comparison;


char-constants;


ternary;


division;


shifts;


intmax;


unary;


bitwise;




short-circuit-and;


short-circuit-or;


short-circuit-ternary;


precedence;


suffixes;


logical-values;
