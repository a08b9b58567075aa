# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"


/ {
 #address-99 = <1>;
 #size-99 = <1>;
 #interrupt-99 = <2>;
#gpio-99 = <2>;
   #clock-99 = <0>;
 prop = 'a', 'b';
 text = "A inside a string is not expanded";
 note = it's A;
 label: node@0 { reg = <1>; };
};
#foo bar 1
 # 12 "not-a-linemarker" 1
 #!shebang-like 1
unterminated = "no closing quote A
x = 1;
