# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"

asm = <1>;


dts = <1>;

stdc = <1 1>;
# 17 "main.dts"
cmd = <1 0x20>;



file = "main.dts";
line = <22>;
fn = [3];
