#define BASE 0x40000000
#define SZ_8M 0x00800000
#define SZ_1G 0x40000000
#define GPIO_ACTIVE_LOW 1
#define CMA_NODE(lbl, addr, size) lbl: cma@addr { compatible = "shared-dma-pool"; reusable; reg = <0 addr 0 size>; }
