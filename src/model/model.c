/* The table of patient models. */
#include "itpsim/model.h"

#include <string.h>

const itp_model_type *const itp_model_types[] = {&itp_platelet_model, &itp_hazard_model,
                                                 NULL};

const itp_model_type *itp_model_type_find(const char *name)
{
    for (int i = 0; itp_model_types[i]; i++)
        if (strcmp(itp_model_types[i]->name, name) == 0)
            return itp_model_types[i];
    return NULL;
}
