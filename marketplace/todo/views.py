from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from marketplace.todo.selectors import todo_for


@login_required
def todo(request):
    """What needs the user's action now, by role."""
    return render(request, "todo/todo.html", {"todo": todo_for(user=request.user)})
