# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"
# 1 "once.h" 1
       
once-content;
# 2 "main.dts" 2



before = <5>;
# 100 "main.dts"
at100 = <100>;
# 200 "renamed.dts"
at200 = <200> "renamed.dts";
