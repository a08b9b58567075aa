# 0 "main.dts"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "main.dts"



ifdef-yes;






elif-taken;
# 23 "main.dts"
elif-1;




defined-forms;




undefined-ident-is-zero;





nested-else;




elif-after-empty;
