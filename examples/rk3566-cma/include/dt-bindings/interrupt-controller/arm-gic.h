/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The GIC interrupt specifier constants that the example uses (values as in the kernel's dt-bindings). */
#ifndef _DTMEM_EXAMPLE_ARM_GIC_H
#define _DTMEM_EXAMPLE_ARM_GIC_H

#define GIC_SPI 0
#define GIC_PPI 1

#define IRQ_TYPE_NONE		0
#define IRQ_TYPE_EDGE_RISING	1
#define IRQ_TYPE_EDGE_FALLING	2
#define IRQ_TYPE_EDGE_BOTH	(IRQ_TYPE_EDGE_FALLING | IRQ_TYPE_EDGE_RISING)
#define IRQ_TYPE_LEVEL_HIGH	4
#define IRQ_TYPE_LEVEL_LOW	8

#endif
