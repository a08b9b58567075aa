#pragma once
once-content;
